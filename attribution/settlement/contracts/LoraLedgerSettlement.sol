// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title LoraLedgerSettlement
/// @notice Per-epoch settlement of loraledger's Proof of Attribution.
///  - Each epoch stores a records root (Merkle root over [recordId, EIP-712 digest] leaves) and a
///    CUMULATIVE payout root (leaves [account, cumulative amount owed through this epoch]).
///  - The poster sends the epoch's new money (total) with postEpoch, so claims pay real ETH.
///  - claim pays cumulativeAmount - claimed[account] against the latest payout root
///    (1inch CumulativeMerkleDrop pattern), so claims are idempotent.
///  - Leaves are OpenZeppelin StandardMerkleTree leaves: keccak256(bytes.concat(keccak256(abi.encode(...)))),
///    and proofs are checked with OpenZeppelin MerkleProof (inner nodes hash the sorted pair), the
///    same rules as the library's standardNodeHash.
///  - The owner (OpenZeppelin Ownable) can only replace the poster or hand ownership on; it can
///    never be the zero address, so renounceOwnership is disabled.
contract LoraLedgerSettlement is Ownable, ReentrancyGuard {
    address public poster;
    /// @notice Last posted epoch (0 = none); epochs are posted strictly in order 1, 2, 3, ...
    uint64 public latestEpoch;
    /// @notice Cumulative payout root of latestEpoch.
    bytes32 public payoutRoot;
    mapping(uint64 => bytes32) private _recordsRoots;
    mapping(uint64 => bytes32) private _payoutRoots;
    /// @notice Cumulative amount already paid to each account.
    mapping(address => uint256) public claimed;

    event PosterChanged(address indexed previousPoster, address indexed newPoster);
    event EpochPosted(uint64 indexed epoch, bytes32 recordsRoot, bytes32 payoutRoot, uint256 total);
    event Claimed(address indexed account, uint256 cumulativeAmount, uint256 paid);

    error NotPoster();
    error ZeroAddress();
    error EpochOutOfOrder(uint64 expected, uint64 got);
    error EmptyRecordsRoot();
    error WrongFunding(uint256 expected, uint256 sent);
    error InvalidProof();
    error NothingToClaim();
    error TransferFailed();

    constructor(address poster_) Ownable(msg.sender) {
        if (poster_ == address(0)) revert ZeroAddress();
        poster = poster_;
        emit PosterChanged(address(0), poster_);
    }

    /// @notice Same as transferOwnership (kept under its original name).
    function setOwner(address newOwner) external {
        transferOwnership(newOwner);
    }

    /// @notice Disabled: the contract always has an owner who can replace the poster.
    function renounceOwnership() public pure override {
        revert OwnableInvalidOwner(address(0));
    }

    function setPoster(address newPoster) external onlyOwner {
        if (newPoster == address(0)) revert ZeroAddress();
        emit PosterChanged(poster, newPoster);
        poster = newPoster;
    }

    /// @notice Records root of an epoch (0 when not posted).
    function recordsRoot(uint64 epoch) external view returns (bytes32) {
        return _recordsRoots[epoch];
    }

    /// @notice Cumulative payout root of an epoch (0 when not posted or nothing owed).
    function payoutRootOf(uint64 epoch) external view returns (bytes32) {
        return _payoutRoots[epoch];
    }

    /// @notice Posts epoch `epoch` (must be latestEpoch + 1) with exactly `total` wei attached.
    function postEpoch(uint64 epoch, bytes32 recordsRoot_, bytes32 payoutRoot_, uint256 total) external payable {
        if (msg.sender != poster) revert NotPoster();
        if (epoch != latestEpoch + 1) revert EpochOutOfOrder(latestEpoch + 1, epoch);
        if (recordsRoot_ == bytes32(0)) revert EmptyRecordsRoot();
        if (msg.value != total) revert WrongFunding(total, msg.value);
        latestEpoch = epoch;
        _recordsRoots[epoch] = recordsRoot_;
        _payoutRoots[epoch] = payoutRoot_;
        payoutRoot = payoutRoot_;
        emit EpochPosted(epoch, recordsRoot_, payoutRoot_, total);
    }

    /// @notice What a claim with this (account, cumulativeAmount, proof) would pay now; 0 if the proof fails.
    function claimable(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external view returns (uint256) {
        if (!_verify(proof, account, cumulativeAmount)) return 0;
        uint256 already = claimed[account];
        return cumulativeAmount > already ? cumulativeAmount - already : 0;
    }

    /// @notice Pays `account` its cumulative amount minus what it was already paid. Anyone may call.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external nonReentrant {
        if (!_verify(proof, account, cumulativeAmount)) revert InvalidProof();
        uint256 already = claimed[account];
        if (cumulativeAmount <= already) revert NothingToClaim();
        uint256 amount = cumulativeAmount - already;
        claimed[account] = cumulativeAmount;
        (bool ok, ) = account.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit Claimed(account, cumulativeAmount, amount);
    }

    /// A zero payout root (no epoch yet, or nothing owed) proves nothing.
    function _verify(bytes32[] calldata proof, address account, uint256 cumulativeAmount) private view returns (bool) {
        bytes32 root = payoutRoot;
        if (root == bytes32(0)) return false;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
